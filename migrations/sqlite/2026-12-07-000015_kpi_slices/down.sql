DROP TABLE kpi_slices;
