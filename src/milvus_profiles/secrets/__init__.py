"""Where a secret comes from (argument, environment, reference, keyring), and where it may be sent."""
