if address :all :is ["to","cc"] "team@example.org" { redirect "cc@example.net"; }
