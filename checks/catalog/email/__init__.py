"""Live mail-authentication checks: SPF, DKIM, DMARC (checkdmarc, dkimpy) and MX for the mail domain."""
