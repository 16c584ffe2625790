require ["date","fileinto"];
if date :originalzone :is "date" "date" "2020-02-29" { fileinto "leap"; }
