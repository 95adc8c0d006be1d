-- The platform settings singleton, with the product's defaults (15% fee, 7 holding days, 10-minute holds).
INSERT OR IGNORE INTO `platform_settings` (`id`, `platform_fee_bps`, `holding_days`, `hold_minutes`, `payout_mode`, `min_payout`, `updated_at`)
VALUES (1, 1500, 7, 10, 'AUTOMATIC', '{"EUR":1000,"CHF":1000,"USD":1000,"GBP":1000}', 0);
