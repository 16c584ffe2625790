if header :is "X-Missing" "" { discard; }
