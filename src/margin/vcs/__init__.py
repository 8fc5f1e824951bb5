"""vcs layer."""
