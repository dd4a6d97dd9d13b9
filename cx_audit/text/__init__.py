"""Text helpers shared by every layer: safe display of file text, and numbers as people
read them."""
