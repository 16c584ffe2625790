if address :is :all "to" "posta@lists.example.org" { discard; }
