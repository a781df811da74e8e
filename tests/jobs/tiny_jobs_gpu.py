"""A tiny job module that says which resource its jobs need (``resource`` next to ``run``)."""
from tests.jobs.tiny_jobs import sleep_job


def resource(config):
    return "gpu"


def run(config, ctx):
    sleep_job(config, ctx)
