"""Process ownership for every command: lifetime, spawning, PID identity, the watchdog and the Firestore emulator."""
