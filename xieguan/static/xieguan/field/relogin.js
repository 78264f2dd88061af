// xieguan field app: the session ended (the server answered 401) while records wait in the
// outbox. Instead of sending the user to the login page (leaving the page, and what is typed on
// it), the status bar opens a small dialog (field/_status.html) showing the user name the
// records belong to and asking for the password. It posts the ordinary login form (/login/) by
// fetch with the CSRF token, so every rule of that form applies: django-axes' lock-out (429),
// the address throttle, an ended term, a password an admin set (must change it first), a second
// factor (the code is entered on the verify page, which returns here). The user
// name is the page's, never typed: the records are only ever sent by the account that made them
// (and the API refuses a record whose X-Xieguan-User is not the logged-in user). On success the
// outbox is synced at once.

const LOGIN = "/login/";
// Where the login form sends us on success: small, and behind the password-change rule (an
// account with a password set by an admin is sent on to /password/ instead).
const AFTER = "/manifest.webmanifest";

function csrf() {
  const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

// The server's own words from an HTML answer (the login form's error, the lock page).
function messageOf(html, fallback) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const el = doc.querySelector(".alert-danger, .invalid-feedback");
  const text = el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  return text || fallback;
}

// -> {ok: true} | {ok: false, message, changePassword?: true}
export async function login(username, password) {
  if (!csrf()) await fetch(LOGIN, { credentials: "same-origin" }); // sets the CSRF cookie
  const body = new URLSearchParams({ username, password, next: AFTER, csrfmiddlewaretoken: csrf() });
  let response;
  try {
    response = await fetch(LOGIN, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf() },
    });
  } catch (e) {
    return { ok: false, message: "网络不稳定，请稍后再试。" };
  }
  const path = new URL(response.url).pathname;
  if (response.ok && path === AFTER) return { ok: true };
  if (response.ok && path.startsWith("/login/verify/")) {
    // The password was right; the account has a second factor: its code is entered on the
    // verify page, which brings the user back here (the outbox waits on the phone meanwhile).
    return { ok: false, verify: true, message: "您的账号已启用两步验证，还须输入验证码，待上传的记录会保留在本机。" };
  }
  if (response.ok && path.startsWith("/password/")) {
    return { ok: false, changePassword: true, message: "管理员为您设置了临时密码，请先修改密码，待上传的记录会保留在本机。" };
  }
  const html = await response.text();
  if (response.status === 429) return { ok: false, message: messageOf(html, "登录失败次数过多，账号已暂时锁定。") };
  if (response.status === 403) return { ok: false, message: "页面已过期，请再试一次。" };
  return { ok: false, message: messageOf(html, "登录失败，请检查密码。") };
}

// Wire the dialog; `onLoggedIn` runs after a successful login (the status bar syncs).
export function setup(dialog, { onLoggedIn }) {
  if (!dialog || typeof dialog.showModal !== "function") return { ask() {} };
  const form = dialog.querySelector("form");
  const password = dialog.querySelector("[name=password]");
  const message = dialog.querySelector("[data-testid=relogin-message]");
  const submit = dialog.querySelector("[value=login]");
  let dismissed = false;

  function say(text, link) {
    message.hidden = !text;
    message.textContent = text || "";
    if (link) {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.className = "ms-1";
      message.append(a);
    }
  }

  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.value === "later") {
      dismissed = true; // not again on this page; the status bar still says 登录已失效
      return;
    }
    event.preventDefault();
    if (!password.value) {
      say("请输入密码。");
      password.focus();
      return;
    }
    submit.disabled = true;
    say("");
    const result = await login(form.elements.username.value, password.value);
    submit.disabled = false;
    if (result.ok) {
      password.value = "";
      dialog.close("login");
      await onLoggedIn();
      return;
    }
    const here = location.pathname + location.search + location.hash;
    const link = result.changePassword
      ? { href: "/password/", text: "去修改密码" }
      : result.verify
        ? { href: `/login/verify/?next=${encodeURIComponent(here)}`, text: "去输入验证码" }
        : null;
    say(result.message, link);
    password.select();
  });

  return {
    // Open it (if not already open, and not put off on this page).
    ask() {
      if (dismissed || dialog.open) return;
      say("");
      dialog.showModal();
      password.focus();
    },
    reopen() {
      dismissed = false;
      this.ask();
    },
  };
}
