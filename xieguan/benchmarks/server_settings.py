"""Settings of the server process `bench` starts for inspection_submit: the project's settings,
plus the floor endpoint (xieguan.benchmarks.server_urls). Never used by a deployment."""

from xieguan.settings import *  # noqa: F403

ROOT_URLCONF = "xieguan.benchmarks.server_urls"
