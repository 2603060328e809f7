"""Benchmarks: speed and memory of the running bot, printed as tables (`make bench`)."""
