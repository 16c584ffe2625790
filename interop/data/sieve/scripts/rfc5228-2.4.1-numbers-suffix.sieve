if size :under 1G { redirect "g@example.net"; }
