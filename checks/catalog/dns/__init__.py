"""Live DNS checks: the planned records are served with the planned values; CAA allows the CAs in use."""
