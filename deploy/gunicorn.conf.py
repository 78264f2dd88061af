"""Gunicorn settings for xieguan in production (``gunicorn -c deploy/gunicorn.conf.py``).

One worker per core (the work is database-bound; threads would share the GIL), listening on the
loopback address only: nginx (deploy/nginx/xieguan.conf) is the only client. Gunicorn's own
access log is off: the app writes one JSON line per request with its request id (xieguan/ops/logs.py).
"""

import multiprocessing
import os

wsgi_app = "xieguan.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 120  # the province-wide ledger export and 附表2 of a township can take a while
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
accesslog = None
errorlog = "-"
loglevel = "info"
