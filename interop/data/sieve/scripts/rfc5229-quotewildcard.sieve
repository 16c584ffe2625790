require ["variables","fileinto"];
set :quotewildcard "a" "a*b?c\\d";
if string :is "${a}" "a\\*b\\?c\\\\d" { fileinto "quoted"; }
