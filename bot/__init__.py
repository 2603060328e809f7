"""Life Portal bot: everything that faces a person or an operator."""
