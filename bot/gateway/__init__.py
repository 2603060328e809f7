"""The gateway: the only door a young person reaches. Rasa and the action server sit behind it on loopback.

It imports no Rasa, TensorFlow or torch: it owns who is talking (identities, conversations, modes),
keeps every message until it is answered, and decides who speaks.
"""
