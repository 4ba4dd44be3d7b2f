from .fixtures import certificates, proxy, recorder, tls_recorder

__all__ = ["certificates", "proxy", "recorder", "tls_recorder"]
