"""NLU: training data, the domain, and custom Rasa components."""
