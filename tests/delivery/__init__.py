"""What happens to an answer: stored, sent, settled, retried, held, exported."""
