if header :contains "Subject" "MAKE MONEY FAST" { discard; }
