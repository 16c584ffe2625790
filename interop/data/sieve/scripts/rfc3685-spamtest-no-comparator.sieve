require ["spamtest","fileinto"];
if spamtest :is "7" { fileinto "seven"; }
