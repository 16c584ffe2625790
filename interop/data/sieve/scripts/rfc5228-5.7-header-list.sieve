if header :contains ["To", "Cc"] ["me@example.com", "me00@landru.example.com"] { redirect "hdr@example.net"; }
