DROP TABLE association_labels;
DROP TABLE associations;
