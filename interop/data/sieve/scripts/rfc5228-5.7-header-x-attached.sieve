if header :contains "x-attached" [".exe", ".com"] { redirect "exe@example.net"; }
