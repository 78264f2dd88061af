from django.urls import path

from xieguan.accounts import views, views_otp, views_people

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views_otp.otp_verify, name="otp_verify"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("account/", views_people.me, name="me"),
    path("account/sign-out/", views_people.me_sign_out, name="me_sign_out"),
    path("account/two-factor/", views_otp.two_factor, name="two_factor"),
    path("account/two-factor/recovery-codes/", views_otp.two_factor_recovery, name="two_factor_recovery"),
    path("account/two-factor/disable/", views_otp.two_factor_disable, name="two_factor_disable"),
    path("password/", views_people.password_change, name="password_change"),
    path("users/", views_people.users, name="users"),
    path("users/new/", views_people.user_new, name="user_new"),
    path("users/<int:pk>/", views_people.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views_people.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views_people.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views_people.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/reset-password/", views_people.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views_people.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-two-factor/", views_otp.user_reset_two_factor, name="user_reset_two_factor"),
    path("users/<int:pk>/sign-out/", views_people.user_sign_out, name="user_sign_out"),
    path("agencies/", views_people.agencies, name="agencies"),
    path("agencies/new/", views_people.agency_edit, name="agency_new"),
    path("agencies/<int:pk>/edit/", views_people.agency_edit, name="agency_edit"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/county/", views.admin_tokens, name="admin_tokens"),
    path("tokens/county/<int:pk>/revoke/", views.admin_token_revoke, name="admin_token_revoke"),
]
