# ORSSD in its official layout under data/ORSSD (see README "Datasets").
_base_ = './sod_sral.py'
data_root = 'data/ORSSD'
train_dataloader = dict(
    dataset=dict(data_root=data_root, layout='orssd', split='train'))
val_dataloader = dict(
    dataset=dict(data_root=data_root, layout='orssd', split='test'))
test_dataloader = val_dataloader
