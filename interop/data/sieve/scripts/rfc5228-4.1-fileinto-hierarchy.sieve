require "fileinto";
fileinto "Lists/posta";
