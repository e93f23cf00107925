"""The stack's input: the schema of the keys a stack (or a program) sets, and their value types."""
