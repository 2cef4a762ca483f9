"""What is sent for an answer: pure functions, no database, no HTTP."""
