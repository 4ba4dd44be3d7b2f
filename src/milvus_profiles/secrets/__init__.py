"""Where a profile's secret comes from: a chain of providers (argument, environment, reference, keyring),
and the rule that decides whether a secret may be released to a connection."""
