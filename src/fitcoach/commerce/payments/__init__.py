"""Payment providers behind one interface, the payments they captured and customers' saved
payment methods."""
