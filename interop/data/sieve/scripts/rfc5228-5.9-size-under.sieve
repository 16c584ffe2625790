if size :under 1M { redirect "small@example.net"; }
