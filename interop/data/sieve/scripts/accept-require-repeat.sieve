require "fileinto";
require "fileinto";
fileinto "x";
