from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    """The province-scale data generator (gendata) and the benchmark harness (bench)."""

    name = "xieguan.benchmarks"
    label = "benchmarks"
    verbose_name = _("性能基准")
