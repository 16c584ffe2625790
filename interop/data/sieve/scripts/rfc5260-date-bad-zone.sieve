require ["date","fileinto"];
if date :zone "EST" :is "date" "year" "2024" { fileinto "x"; }
