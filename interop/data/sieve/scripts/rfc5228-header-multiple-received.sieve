if header :contains "received" "laptop.example.com" { discard; }
