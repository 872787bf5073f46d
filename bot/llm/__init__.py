"""The LLM behind one small typed interface: prompts from `prompts/`, structured answers, bounded time."""
