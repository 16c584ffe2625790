if header :matches "subject" "*fast\\?" { discard; }
