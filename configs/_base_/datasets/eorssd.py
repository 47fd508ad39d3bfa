# EORSSD in its official layout under data/EORSSD (see README "Datasets").
_base_ = './sod_sral.py'
data_root = 'data/EORSSD'
train_dataloader = dict(
    dataset=dict(data_root=data_root, layout='eorssd', split='train'))
val_dataloader = dict(
    dataset=dict(data_root=data_root, layout='eorssd', split='test'))
test_dataloader = val_dataloader
