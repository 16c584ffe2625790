if true { if false { discard; } else { if true { keep; } } }
