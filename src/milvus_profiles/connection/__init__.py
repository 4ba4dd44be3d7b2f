"""From a resolved profile to a ready client: pymilvus clients, the light grpcio probe, and the verdict on
a failed connection."""
