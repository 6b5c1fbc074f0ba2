from tests.live.server import moto, moto_server  # noqa: F401  (fixtures)
