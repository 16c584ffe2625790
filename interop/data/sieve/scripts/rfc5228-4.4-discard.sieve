if header :contains ["from"] ["sam"] { discard; }
