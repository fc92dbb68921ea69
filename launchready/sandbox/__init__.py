"""Local stand-ins for each cloud service (see DESIGN.md, "Real components"), all on 127.0.0.1."""
