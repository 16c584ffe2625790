if header :comparator "i;octet" :contains "Subject" "MAKE MONEY FAST" { discard; }
