"""The demo study's history: a builder that replays the research process behind projects/peer-support with
Margin's own operations, sessions, syncs and merges, and writes it as the git bundle `margin demo` clones."""
