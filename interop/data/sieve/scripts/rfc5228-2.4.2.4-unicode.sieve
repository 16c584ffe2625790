require ["encoded-character","fileinto"];
if header :contains "subject" "caf${unicode:e9}" { fileinto "unicode"; }
