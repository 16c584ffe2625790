if size :over 100K { discard; }
