"""The coach: what the rep says next and the recommended move, from the principles in `prompts/`."""
