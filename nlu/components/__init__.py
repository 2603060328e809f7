"""Custom Rasa graph components, referenced from config.yml by their import path."""
