"""Margin: qualitative data analysis in the terminal, on plain files, with git as the team's memory."""

__version__ = "0.1.0"
